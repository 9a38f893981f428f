package dev.sluice.control.store;

/** One immutable version of a deployment: its spec (JSON) and the compiled pipeline it runs. */
public class VersionRow {
    public String namespace;
    public String name;
    public int version;
    public String spec;
    public String planKind;
    public String plan;
    public long createdAt;
}
