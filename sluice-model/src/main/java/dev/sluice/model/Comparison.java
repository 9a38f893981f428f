package dev.sluice.model;

import java.util.List;

/**
 * What {@code GET .../compare?a=&b=} answers: the outputs of two deployments compared, equal when no key differs;
 * counts of keys only in A, only in B, or different; a few examples.
 */
public record Comparison(Side a, Side b, boolean upsert, boolean equal, long matching, long onlyInA, long onlyInB,
        long different, List<Mismatch> examples) {

    /** One side: the deployment, the topic read, how many records and distinct keys it holds. */
    public record Side(String deployment, String topic, long records, long keys) {}

    /** One key whose values differ (null: absent on that side). */
    public record Mismatch(String key, String a, String b) {}
}
