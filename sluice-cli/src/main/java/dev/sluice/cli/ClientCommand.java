package dev.sluice.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.List;
import java.util.function.Function;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Base of every client verb: the shared options, the API client, the namespace's paths, and where to print. */
abstract class ClientCommand implements Callable<Integer> {
    static final String DEFAULT_SERVER = "http://127.0.0.1:8080";

    @Mixin
    ClientOptions options;

    @Spec
    CommandSpec spec;

    private ApiClient api;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    ApiClient api() {
        if (api == null) {
            String server = options.server;
            if (server == null || server.isBlank()) {
                server = DEFAULT_SERVER; // SLUICE_SERVER set but empty
            }
            api = new ApiClient(server);
        }
        return api;
    }

    ClientOptions.Format format() {
        return options.output;
    }

    String namespace() {
        return options.namespace;
    }

    /** {@code /api/v1/namespaces/NS}. */
    String namespacePath() {
        return "/api/v1/namespaces/" + ApiClient.segment(namespace());
    }

    /** {@code /api/v1/namespaces/NS/deployments/NAME}. */
    String deploymentPath(String name) {
        return namespacePath() + "/deployments/" + ApiClient.segment(name);
    }

    /** What a 404 on a deployment's resources means. */
    String deploymentNotFound(String name) {
        return "deployment " + name + " not found in namespace " + namespace();
    }

    /** {@code NS/NAME} of a deployment as the server returned it, falling back to the asked-for names. */
    String qualifiedName(JsonNode deployment, String name) {
        JsonNode meta = deployment.path("metadata");
        return meta.path("namespace").asText(namespace()) + "/" + meta.path("name").asText(name);
    }

    /**
     * Prints a {@code {"items":[...]}} list as a document, or, read as a list of {@code type}, as a table (saying so
     * on stderr when it is empty).
     */
    <T> int printList(JsonNode list, Class<T> type, Function<List<T>, Table> view, String nothingFound) {
        if (!printDocument(list)) {
            Table table = view.apply(Typed.items(list, type));
            if (table.isEmpty()) {
                err().println(nothingFound);
                err().flush();
            } else {
                table.print(out(), "");
            }
        }
        return 0;
    }

    /** Prints a resource as JSON or YAML; true when the format was one of those (so no table is wanted). */
    boolean printDocument(JsonNode document) {
        return Output.document(out(), format(), document);
    }
}
