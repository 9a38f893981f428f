package dev.sluice.control.store;

/** One stored event. */
public class EventRow {
    public long id;
    public String namespace;
    public String name;
    public Integer version;
    public String type;
    public String reason;
    public String message;
    public String actor;
    public long time;
}
