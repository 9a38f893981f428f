package dev.sluice.cluster;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/** What a cluster directory's processes and REST API say right now. */
public record ClusterStatus(
        Path dir, State state, Optional<ClusterShape> shape, List<MemberStatus> members, Optional<Overview> overview) {

    /** Running: every process alive and the REST API answering. Stopped: no process alive. Degraded: in between. */
    public enum State { RUNNING, DEGRADED, STOPPED }

    /** One process: its pid file, whether it is alive, and (TaskManagers) whether the JobManager knows it. */
    public record MemberStatus(Member member, OptionalLong pid, boolean alive, boolean registered) {}

    /** The REST API's /overview, and the ids (member names) of the TaskManagers registered. */
    public record Overview(String flinkVersion, int taskManagers, int slotsTotal, int slotsAvailable, int jobsRunning,
            Set<String> taskManagerIds) {}

    public Optional<URI> restUrl() {
        return shape.map(s -> FlinkCluster.restUrl(s.restPort()));
    }

    /** Human-readable, for bin/flink-cluster status. */
    public String describe() {
        StringBuilder out = new StringBuilder();
        out.append("Flink cluster in ").append(dir).append(": ").append(state.name().toLowerCase()).append('\n');
        for (MemberStatus m : members) {
            out.append(String.format("  %-15s %-12s %s%n", m.member().name(),
                    m.pid().isPresent() ? "pid " + m.pid().getAsLong() : "no pid",
                    !m.alive() ? "not running"
                            : m.member().role() == Member.Role.TASKMANAGER && overview.isPresent() && !m.registered()
                                    ? "running, not registered" : "running"));
        }
        if (state != State.STOPPED) {
            restUrl().ifPresent(url -> out.append("  REST            ").append(url)
                    .append(overview.isPresent() ? "" : " (not answering)").append('\n'));
        }
        overview.ifPresent(o -> out.append(String.format(
                "  Flink %s: taskmanagers registered %d, slots %d (%d available), jobs running %d%n",
                o.flinkVersion(), o.taskManagers(), o.slotsTotal(), o.slotsAvailable(), o.jobsRunning())));
        if (state != State.STOPPED) {
            out.append("  logs            ").append(dir.resolve("log")).append('\n');
        }
        return out.toString();
    }
}
