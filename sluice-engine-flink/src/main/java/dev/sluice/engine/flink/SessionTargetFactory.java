package dev.sluice.engine.flink;

import dev.sluice.control.engine.TargetFactory;
import java.net.URI;
import java.util.Map;
import java.util.Optional;

/** A {@code flink-session} target: a running Flink session cluster, driven over its REST API ({@code rest}). */
public final class SessionTargetFactory implements TargetFactory {
    public static final String TYPE = "flink-session";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Started start(Settings settings) {
        String rest = settings.option("rest", null);
        if (rest == null) {
            throw new IllegalArgumentException("target " + settings.name() + " needs rest: the cluster's REST address");
        }
        FlinkEngine engine = FlinkEngine.remote(settings.name(), URI.create(rest), settings.flinkConfiguration());
        Optional<Map<String, String>> configuration = engine.clusterConfiguration();
        return new Started(engine, Map.of("rest", rest, "reachableAtStart", configuration.isPresent()), configuration,
                () -> { });
    }
}
