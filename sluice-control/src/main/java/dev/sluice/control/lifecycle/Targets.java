package dev.sluice.control.lifecycle;

import dev.sluice.control.engine.Engine;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The engines Sluice can run jobs on, by target name. */
public final class Targets implements AutoCloseable {
    private final Map<String, Engine> engines = new LinkedHashMap<>();

    public Targets(List<Engine> engines) {
        engines.forEach(e -> this.engines.put(e.target(), e));
    }

    public Optional<Engine> find(String target) {
        return Optional.ofNullable(engines.get(target));
    }

    public Engine get(String target) {
        return find(target).orElseThrow(() -> new IllegalStateException("no target named " + target));
    }

    public List<String> names() {
        return List.copyOf(engines.keySet());
    }

    @Override
    public void close() {
        engines.values().forEach(Engine::close);
    }
}
