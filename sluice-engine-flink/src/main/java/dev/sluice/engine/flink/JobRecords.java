package dev.sluice.engine.flink;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How many records a job took in and wrote out, from Flink's operator metrics over REST: records in are what its
 * source operators emitted, records out what its sink writers were handed. Operators, not job vertices: a vertex
 * counts only what crosses the network, so a pipeline chained into one task would show nothing.
 *
 * <p>Flink's JobManager refreshes metrics every few seconds ({@code metrics.fetcher.update-interval}); the counts are
 * asked for at most every {@link #REFRESH} per job and reused in between. Which metrics to ask for is found once per
 * vertex. A failed call leaves the last counts in place (metrics never make a job look unreachable), and a JobManager
 * that did not answer is left alone for {@link #BACKOFF}.
 */
final class JobRecords {
    /** Counts of one job; null when the job reported none yet. */
    record Counts(Long in, Long out) {
        static final Counts UNKNOWN = new Counts(null, null);
    }

    /** The metrics of one vertex to add up: its sources' records out and its sink writers' records in. */
    private record Selection(List<String> in, List<String> out) {}

    /**
     * How often a job's counts are asked for. Each ask has Flink's JobManager gather operator metrics from the
     * TaskManagers, which a job pays for: asked every 3 s, a stateless job on two cores ran 13% slower (bench/nexmark).
     */
    private static final Duration REFRESH = Duration.ofSeconds(30);
    /** After a call that got no answer, how long no metrics are asked for: the reconciler waits on these calls. */
    private static final Duration BACKOFF = Duration.ofSeconds(30);
    private static final int JOBS_REMEMBERED = 256;

    private final RestJson rest;
    private final long refreshNanos;
    private long quietUntilNanos;
    private final Map<String, JobEntry> jobs = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, JobEntry> eldest) {
            return size() > JOBS_REMEMBERED;
        }
    };

    private static final class JobEntry {
        final Map<String, Selection> selections = new LinkedHashMap<>();
        Counts counts = Counts.UNKNOWN;
        long askedAtNanos;
    }

    JobRecords(RestJson rest) {
        this(rest, REFRESH);
    }

    /** With another interval between asks (tests ask every time). */
    JobRecords(RestJson rest, Duration refresh) {
        this.rest = rest;
        this.refreshNanos = refresh.toNanos();
    }

    /**
     * A job vertex, named as Flink names it: operators joined by " -> ", sources as "Source: ...", sink writers as
     * "...: Writer" or "Sink: ...".
     */
    record Vertex(String id, String name) {
        boolean hasSource() {
            return name.startsWith("Source: ") || name.contains(" -> Source: ");
        }

        boolean hasSink() {
            return name.contains(": Writer") || name.contains("Sink: ");
        }
    }

    /**
     * The job's counts now, or as last counted within {@link #REFRESH}. Counts change only once every vertex with a
     * source or a sink has its metrics at the JobManager (early on, a vertex may list some of its operators' metrics
     * but not all): a count of what is there would say a job wrote more than it read.
     */
    synchronized Counts of(String jobId, List<Vertex> vertices) {
        JobEntry job = jobs.computeIfAbsent(jobId, id -> new JobEntry());
        long now = System.nanoTime();
        if (job.askedAtNanos != 0 && now - job.askedAtNanos < refreshNanos || quietUntilNanos != 0 && now - quietUntilNanos < 0) {
            return job.counts;
        }
        job.askedAtNanos = now;
        long in = 0;
        long out = 0;
        for (Vertex vertex : vertices) {
            if (!vertex.hasSource() && !vertex.hasSink()) {
                continue;
            }
            Selection selection = job.selections.get(vertex.id());
            if (selection == null) {
                selection = select(jobId, vertex.id()).orElse(null);
                if (selection == null || vertex.hasSource() && selection.in.isEmpty()
                        || vertex.hasSink() && selection.out.isEmpty()) {
                    return job.counts; // not all there yet: asked again next time
                }
                job.selections.put(vertex.id(), selection);
            }
            Optional<Map<String, Double>> sums = sums(jobId, vertex.id(), selection);
            if (sums.isEmpty()) {
                return job.counts;
            }
            in += total(sums.get(), selection.in);
            out += total(sums.get(), selection.out);
        }
        if (!job.selections.isEmpty()) {
            job.counts = new Counts(in, out);
        }
        return job.counts;
    }

    /** Forgets a job that ended. */
    synchronized void forget(String jobId) {
        jobs.remove(jobId);
    }

    private Optional<Selection> select(String jobId, String vertex) {
        return get("/jobs/" + jobId + "/vertices/" + vertex + "/subtasks/metrics").flatMap(list -> {
            List<String> in = new ArrayList<>();
            List<String> out = new ArrayList<>();
            for (JsonNode metric : list) {
                String id = metric.path("id").asText();
                int dot = id.lastIndexOf('.');
                if (dot <= 0 || id.indexOf(',') >= 0) {
                    continue; // a task-level metric, or one the query's list syntax cannot name
                }
                String operator = id.substring(0, dot);
                String name = id.substring(dot + 1);
                if (name.equals("numRecordsOut") && operator.startsWith("Source__")) {
                    in.add(id);
                } else if (name.equals("numRecordsIn") && (operator.endsWith("__Writer")
                        || operator.startsWith("Sink__") && !operator.endsWith("Committer"))) {
                    out.add(id);
                }
            }
            return Optional.of(new Selection(List.copyOf(in), List.copyOf(out)));
        });
    }

    private Optional<Map<String, Double>> sums(String jobId, String vertex, Selection selection) {
        List<String> ids = new ArrayList<>(selection.in);
        ids.addAll(selection.out);
        String query = URLEncoder.encode(String.join(",", ids), StandardCharsets.UTF_8);
        return get("/jobs/" + jobId + "/vertices/" + vertex + "/subtasks/metrics?agg=sum&get=" + query).map(list -> {
            Map<String, Double> sums = new LinkedHashMap<>();
            for (JsonNode metric : list) {
                if (metric.path("sum").isNumber()) {
                    sums.put(metric.path("id").asText(), metric.path("sum").asDouble());
                }
            }
            return sums;
        });
    }

    private static long total(Map<String, Double> sums, List<String> ids) {
        double total = 0;
        for (String id : ids) {
            total += sums.getOrDefault(id, 0.0);
        }
        return Math.round(total);
    }

    private Optional<JsonNode> get(String path) {
        try {
            return rest.array(path);
        } catch (IOException e) {
            quietUntilNanos = System.nanoTime() + BACKOFF.toNanos();
            return Optional.empty();
        }
    }
}
