package dev.sluice.server;

import java.nio.file.Path;

/** The lifecycle on the embedded target: a MiniCluster in Sluice's JVM. */
class EmbeddedLifecycleITCase extends LifecycleContract {
    @Override
    String target() {
        return "embedded";
    }

    @Override
    SluiceServer startServer(Path dataDir) {
        return SluiceServer.start(SluiceConfig.defaults().withDataDir(dataDir.toString()).withPort(0));
    }
}
