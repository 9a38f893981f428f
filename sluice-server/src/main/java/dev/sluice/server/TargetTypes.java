package dev.sluice.server;

import dev.sluice.control.engine.TargetFactory;
import dev.sluice.engine.flink.EmbeddedTargetFactory;
import dev.sluice.engine.flink.SessionTargetFactory;
import java.util.List;
import java.util.Optional;

/** The kinds of target Sluice runs jobs on, one factory each: a new kind of target is one more entry here. */
final class TargetTypes {
    private static final List<TargetFactory> FACTORIES = List.of(new EmbeddedTargetFactory(), new SessionTargetFactory());

    private TargetTypes() {}

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
