package dev.sluice.engine.flink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.control.snapshots.RetainedSnapshot;
import dev.sluice.control.snapshots.SnapshotLayout;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding retained checkpoints and savepoints on a file system, as Flink lays them out. */
class FlinkSnapshotStoreTest {
    @TempDir
    Path dir;

    private final FlinkSnapshotStore files = new FlinkSnapshotStore(new SnapshotLayout("file:///tmp/unused"));

    @Test
    void theNewestCheckpointIsTheLastWrittenAndOnATieTheHigherNumber() throws IOException {
        Instant second = Instant.parse("2026-11-25T12:00:00Z");
        checkpoint("job-a", "chk-9", second.minusSeconds(5));
        checkpoint("job-a", "chk-11", second);
        checkpoint("job-a", "chk-12", second); // same second, as an object store reports it
        Files.createDirectories(dir.resolve("job-a").resolve("chk-13")); // in progress: no _metadata yet

        RetainedSnapshot newest = files.newestCheckpoint(dir.toUri().toString()).orElseThrow();

        assertThat(newest.location()).endsWith("/job-a/chk-12");
        assertThat(newest.completedAt()).isEqualTo(second);
    }

    @Test
    void aLaterJobsCheckpointWinsOverAnEarlierJobsHigherNumberWrittenBefore() throws IOException {
        Instant now = Instant.parse("2026-11-25T12:00:00Z");
        checkpoint("job-a", "chk-40", now.minusSeconds(60));
        checkpoint("job-b", "chk-3", now); // started empty again: numbers restart

        assertThat(files.newestCheckpoint(dir.toUri().toString()).orElseThrow().location()).endsWith("/job-b/chk-3");
    }

    @Test
    void noCompletedCheckpointIsNone() throws IOException {
        Files.createDirectories(dir.resolve("job-a").resolve("chk-1"));

        assertThat(files.newestCheckpoint(dir.toUri().toString())).isEmpty();
        assertThat(files.newestCheckpoint(dir.resolve("missing").toUri().toString())).isEmpty();
    }

    private void checkpoint(String job, String name, Instant completedAt) throws IOException {
        Path chk = Files.createDirectories(dir.resolve(job).resolve(name));
        Path metadata = Files.writeString(chk.resolve("_metadata"), "x");
        Files.setLastModifiedTime(metadata, FileTime.from(completedAt));
    }
}
