package dev.sluice.engine.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sluice.control.snapshots.SnapshotLayout;
import dev.sluice.control.engine.CompiledPipeline;
import dev.sluice.control.engine.JobObservation.JobState;
import dev.sluice.control.engine.JobSubmission;
import dev.sluice.control.engine.RestoreCheck;
import dev.sluice.control.lifecycle.JobIds;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine adapter against a real MiniCluster, over REST: submit, observe, savepoint, restore, cancel. */
class EmbeddedFlinkITCase {
    @TempDir
    static Path dir;
    static EmbeddedFlink flink;
    static FlinkEngine engine;

    @BeforeAll
    static void start() {
        flink = EmbeddedFlink.start(dir.resolve("work"), 4);
        engine = flink.engine();
    }

    @AfterAll
    static void stop() {
        engine.close();
        flink.close();
    }

    @Test
    void runsSuspendsAndRestoresAJob() {
        CompiledPipeline plan = engine.compile(dev.sluice.model.PipelineSpec.ofSql(SqlCompilerTest.SOURCE
                + SqlCompilerTest.SINK + "INSERT INTO counts SELECT user_id, COUNT(*) FROM clicks GROUP BY user_id;"));
        String checkpoints = dir.resolve("checkpoints").toUri().toString();
        FlinkSnapshotStore storage = new FlinkSnapshotStore(new SnapshotLayout(dir.toUri().toString()));
        String first = JobIds.of("11111111-aaaa", 1);
        engine.submit(submission(first, plan, checkpoints, null));
        engine.submit(submission(first, plan, checkpoints, null)); // a retried submit adopts the job
        await().atMost(Duration.ofSeconds(60)).until(() -> engine.observe(first).state() == JobState.RUNNING);
        await().atMost(Duration.ofSeconds(60)).until(() -> storage.newestCheckpoint(checkpoints).isPresent());

        String savepoint = engine.stopWithSavepoint(first, dir.resolve("sp").toUri().toString());
        assertThat(storage.savepointIn(dir.resolve("sp").toUri().toString())).isPresent();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> engine.observe(first).state(), s -> s == JobState.FINISHED || s == JobState.NOT_FOUND);

        // Pre-flight: the same plan restores everything; a plan without the aggregation would drop its state.
        assertThat(engine.checkRestore(plan, 2, Map.of(), savepoint).clean()).isTrue();
        CompiledPipeline stateless = engine.compile(dev.sluice.model.PipelineSpec.ofSql(SqlCompilerTest.SOURCE
                + SqlCompilerTest.SINK + "INSERT INTO counts SELECT user_id, CAST(1 AS BIGINT) FROM clicks;"));
        RestoreCheck dropped = engine.checkRestore(stateless, 2, Map.of(), savepoint);
        assertThat(dropped.dropped()).singleElement().asString().contains("GroupAggregate");
        assertThat(dropped.restorable(false)).isFalse();
        assertThat(dropped.restorable(true)).isTrue();

        String second = JobIds.of("11111111-aaaa", 2);
        engine.submit(submission(second, plan, checkpoints, savepoint));
        await().atMost(Duration.ofSeconds(60)).until(() -> engine.observe(second).state() == JobState.RUNNING);
        engine.cancel(second);
        await().atMost(Duration.ofSeconds(30)).until(() -> engine.observe(second).state() == JobState.CANCELLED);
        assertThat(engine.observe(JobIds.of("nobody", 1)).state()).isEqualTo(JobState.NOT_FOUND);
    }

    @Test
    void countsRecordsTheSourcesEmittedAndTheSinksWereHanded() {
        String fast = SqlCompilerTest.SOURCE.replace("'rows-per-second' = '5'", "'rows-per-second' = '100'")
                + SqlCompilerTest.SINK;
        // One record out per record in: the sink never gets more than the source emitted.
        CompiledPipeline copy = engine.compile(dev.sluice.model.PipelineSpec.ofSql(fast
                + "INSERT INTO counts SELECT user_id, CAST(1 AS BIGINT) FROM clicks;"));
        String copying = JobIds.of("records-copy", 1);
        engine.submit(submission(copying, copy, dir.resolve("cp-copy").toUri().toString(), null));
        // A count over 5 keys that passes on every tenth, chained to its sink behind a shuffle: the sink is handed a
        // fraction of what enters its task, which counting the task's input would not show.
        CompiledPipeline count = engine.compile(dev.sluice.model.PipelineSpec.ofSql(fast.replace("'connector' = 'datagen',",
                "'connector' = 'datagen', 'fields.user_id.min' = '1', 'fields.user_id.max' = '5',")
                + "INSERT INTO counts SELECT user_id, COUNT(*) FROM clicks GROUP BY user_id HAVING MOD(COUNT(*), 10) = 0;"));
        String counting = JobIds.of("records-count", 1);
        engine.submit(submission(counting, count, dir.resolve("cp-count").toUri().toString(), null));

        await().atMost(Duration.ofSeconds(60)).until(() -> engine.observe(copying),
                o -> o.recordsIn() != null && o.recordsIn() >= 100 && o.recordsOut() != null && o.recordsOut() >= 100);
        var copied = engine.observe(copying);
        assertThat(copied.recordsOut()).isLessThanOrEqualTo(copied.recordsIn());

        await().atMost(Duration.ofSeconds(60)).until(() -> engine.observe(counting),
                o -> o.recordsIn() != null && o.recordsIn() >= 200 && o.recordsOut() != null && o.recordsOut() > 0);
        var counted = engine.observe(counting);
        assertThat(counted.recordsOut()).isLessThan(counted.recordsIn() / 2);
        await().atMost(Duration.ofSeconds(60)).until(() -> engine.observe(counting).recordsIn() > counted.recordsIn());
        engine.cancel(copying);
        engine.cancel(counting);
        await().atMost(Duration.ofSeconds(30)).until(() -> engine.observe(counting).state() == JobState.CANCELLED);
    }

    private static JobSubmission submission(String id, CompiledPipeline plan, String checkpoints, String restore) {
        return new JobSubmission(id, "test", plan, 2, Duration.ofMillis(500), checkpoints, restore, false, Map.of());
    }
}
