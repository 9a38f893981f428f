package dev.sluice.control.store;

/** One snapshot as stored; {@code targetDir} is where the savepoint was asked to go, so a crash mid-way can be resolved. */
public class SnapshotRow {
    public String id;
    public String namespace;
    public String name;
    public Integer version;
    public String origin;
    public String state;
    public String location;
    public String targetDir;
    public Long sizeBytes;
    public String jobId;
    public String error;
    public long createdAt;
    public Long completedAt;
}
