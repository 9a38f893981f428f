package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;

/** {@code tail TOPIC}: print the records of a stream, their values one per line. */
@Command(name = "tail", description = {
    "Print records of a stream (a Kafka topic), their values one per line.",
    "Stops after --limit records, or after --wait-seconds without a new record."})
final class TailCommand extends ClientCommand {
    @Parameters(index = "0", paramLabel = "TOPIC", description = "The stream.")
    String topic;

    @Option(names = "--from-beginning", description = "Start at the oldest record instead of new ones.")
    boolean fromBeginning;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "100", description = "Stop after N records (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--wait-seconds", paramLabel = "S", defaultValue = "5",
            description = "Stop after S seconds without a new record (default: ${DEFAULT-VALUE}).")
    double waitSeconds;

    @Override
    public Integer call() {
        if (limit < 1) {
            throw new ParameterException(spec.commandLine(), "--limit must be at least 1, got " + limit);
        }
        if (waitSeconds < 0 || Double.isNaN(waitSeconds) || Double.isInfinite(waitSeconds)) {
            throw new ParameterException(spec.commandLine(), "--wait-seconds must be 0 or more, got " + waitSeconds);
        }
        String path = "/api/v1/streams/" + ApiClient.segment(topic) + "/records?fromBeginning=" + fromBeginning
                + "&limit=" + limit + "&waitMs=" + Math.round(waitSeconds * 1000);
        JsonNode records = api().get(path, "stream " + topic + " not found", null);
        if (!printDocument(records)) {
            for (JsonNode record : records.path("items")) {
                JsonNode value = record.path("value");
                out().println(value.isTextual() ? value.asText() : value.isMissingNode() ? "null" : value.toString());
            }
            out().flush();
        }
        return 0;
    }
}
