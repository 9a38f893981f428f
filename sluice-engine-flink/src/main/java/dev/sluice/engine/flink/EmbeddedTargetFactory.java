package dev.sluice.engine.flink;

import dev.sluice.control.engine.TargetFactory;
import java.util.Map;
import java.util.Optional;

/** The {@code embedded} target: a Flink MiniCluster in Sluice's JVM, with {@code slots} task slots (default 8). */
public final class EmbeddedTargetFactory implements TargetFactory {
    public static final String TYPE = "embedded";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Started start(Settings settings) {
        EmbeddedFlink flink = EmbeddedFlink.start(settings.workDirectory(),
                Integer.parseInt(settings.option("slots", "8")), settings.flinkConfiguration());
        return new Started(flink.engine(), Map.of("rest", flink.restAddress().toString()),
                Optional.of(settings.flinkConfiguration()), flink);
    }
}
