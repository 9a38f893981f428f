package dev.sluice.model;

/** A stream (a Kafka topic) as {@code GET /api/v1/streams} lists it. */
public record StreamName(String name) {}
