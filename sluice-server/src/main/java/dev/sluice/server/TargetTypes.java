package dev.sluice.server;

import dev.sluice.control.engine.TargetFactory;
import dev.sluice.engine.flink.EmbeddedTargetFactory;
import dev.sluice.engine.flink.SessionTargetFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.Optional;

/**
 * The kinds of target Sluice runs jobs on, one factory each: the built-in ones, and those a jar on the class path
 * registers as a {@link ServiceLoader service} of {@link TargetFactory} (a new kind of target is its adapter and one
 * line in {@code META-INF/services}).
 */
final class TargetTypes {
    private static final List<TargetFactory> FACTORIES = factories();

    private TargetTypes() {}

    private static List<TargetFactory> factories() {
        List<TargetFactory> all = new ArrayList<>(List.of(new EmbeddedTargetFactory(), new SessionTargetFactory()));
        for (TargetFactory registered : ServiceLoader.load(TargetFactory.class)) {
            if (all.stream().noneMatch(f -> f.type().equals(registered.type()))) {
                all.add(registered);
            }
        }
        return List.copyOf(all);
    }

    static Optional<TargetFactory> of(String type) {
        return FACTORIES.stream().filter(f -> f.type().equals(type)).findFirst();
    }

    /** The factory of a type; a type that {@link SluiceConfig#validated} let through is known. */
    static TargetFactory get(String type) {
        return of(type).orElseThrow(() -> new IllegalStateException("no target type " + type));
    }

    /** The types {@code targets:} of sluice.yaml may name (the embedded target is always there, once). */
    static List<String> configurable() {
        return FACTORIES.stream().map(TargetFactory::type).filter(t -> !t.equals(EmbeddedTargetFactory.TYPE)).toList();
    }
}
