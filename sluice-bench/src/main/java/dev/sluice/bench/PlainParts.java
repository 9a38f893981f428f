package dev.sluice.bench;

import dev.sluice.engine.flink.EmbeddedFlink;
import dev.sluice.streams.kafka.EmbeddedKafka;
import java.nio.file.Path;

/** The baseline of a start: the same parts Sluice embeds (a KRaft broker and a MiniCluster), started by hand. */
public final class PlainParts {
    private PlainParts() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        EmbeddedKafka kafka = EmbeddedKafka.start(dir.resolve("kafka"), 0);
        EmbeddedFlink flink = EmbeddedFlink.start(dir.resolve("flink-tmp"), 8);
        System.out.println("READY");
        System.out.flush();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            flink.close();
            kafka.close();
        }));
        Thread.currentThread().join();
    }
}
