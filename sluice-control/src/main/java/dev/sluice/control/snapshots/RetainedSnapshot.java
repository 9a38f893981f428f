package dev.sluice.control.snapshots;

import java.time.Instant;

/** A completed snapshot found in storage: its location, when it completed, and its size in bytes. */
public record RetainedSnapshot(String location, Instant completedAt, long sizeBytes) {}
