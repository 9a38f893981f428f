package dev.sluice.cli;

import dev.sluice.model.Deployment;
import dev.sluice.model.DeploymentStatus;
import dev.sluice.model.DeploymentVersion;
import dev.sluice.model.Event;
import dev.sluice.model.ObjectMeta;
import dev.sluice.model.PipelineSpec;
import dev.sluice.model.Snapshot;
import java.util.List;

/** The table columns of each resource kind, shared by {@code get} and {@code describe}. */
final class Views {
    private Views() {}

    static Table deployments(List<Deployment> items) {
        Table table = new Table("NAMESPACE", "NAME", "PHASE", "VERSION", "JOB-ID", "AGE");
        for (Deployment d : items) {
            ObjectMeta meta = d.metadata();
            DeploymentStatus status = d.status();
            table.add(meta.namespace(), meta.name(), status == null ? null : Output.cell(status.phase()),
                    status == null ? null : status.version(), status == null ? null : status.jobId(),
                    Output.age(meta.createdAt()));
        }
        return table;
    }

    static Table versions(List<DeploymentVersion> items) {
        Table table = new Table("VERSION", "PROGRAM", "PARALLELISM", "SPEC-STATE", "UPGRADE", "TARGET", "AGE");
        for (DeploymentVersion v : items) {
            PipelineSpec spec = v.spec();
            table.add(v.version(), program(spec), spec == null ? null : spec.parallelism(),
                    spec == null ? null : Output.cell(spec.state()),
                    spec == null ? null : Output.cell(spec.upgradeStrategy()), spec == null ? null : spec.target(),
                    Output.age(v.createdAt()));
        }
        return table;
    }

    static Table snapshots(List<Snapshot> items) {
        Table table = new Table("ID", "DEPLOYMENT", "VERSION", "ORIGIN", "STATE", "SIZE", "AGE", "LOCATION");
        for (Snapshot s : items) {
            table.add(s.id(), s.deployment(), s.version(), Output.cell(s.origin()), Output.cell(s.state()),
                    Output.size(s.sizeBytes()), Output.age(s.createdAt()), s.location());
        }
        return table;
    }

    static Table events(List<Event> items) {
        Table table = new Table("AGE", "TYPE", "REASON", "DEPLOYMENT", "VERSION", "ACTOR", "MESSAGE");
        for (Event e : items) {
            table.add(Output.age(e.time()), Output.cell(e.type()), e.reason(), e.deployment(), e.version(), e.actor(),
                    Output.oneLine(e.message()));
        }
        return table;
    }

    /** {@code sql} or {@code jar}: what kind of program a spec runs. */
    static String program(PipelineSpec spec) {
        if (spec != null && spec.sql() != null) {
            return "sql";
        }
        return spec != null && spec.jar() != null ? "jar" : Output.NONE;
    }
}
