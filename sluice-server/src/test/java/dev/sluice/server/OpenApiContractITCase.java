package dev.sluice.server;

import static dev.sluice.server.TestDocuments.suspendedPipeline;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenAPI document against the server: every route the server answers is documented and every documented route
 * is one the server answers; every answer of a walk through all of them (successes and errors) has a documented
 * status and matches its documented schema; and the walk calls every documented route.
 */
class OpenApiContractITCase {
    private static final String NS = "/api/v1/namespaces/default";
    @TempDir
    static Path dir;
    static SluiceServer server;
    static TestApi api;
    static JsonNode document;
    private final Set<String> called = new TreeSet<>();
    private final List<String> mismatches = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        server = SluiceServer.start(SluiceConfig.defaults().withDataDir(dir.toString()).withPort(0));
        api = new TestApi("http://127.0.0.1:" + server.port());
        try (InputStream in = SluiceServer.class.getResourceAsStream("openapi.yaml")) {
            document = new ObjectMapper(new YAMLFactory()).readTree(in);
        }
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void everyRouteIsDocumentedAndEveryAnswerMatchesItsSchema() {
        assertThat(server.routes()).as("routes the server answers = routes the document describes")
                .containsExactlyInAnyOrderElementsOf(documentedRoutes());

        walkEveryRoute();

        assertThat(mismatches).as("answers that do not match the document").isEmpty();
        assertThat(called).as("documented routes the walk called")
                .containsExactlyInAnyOrderElementsOf(documentedRoutes());
    }

    @Test
    void aSchemaThatDoesNotMatchWhatTheServerSendsIsCaught() {
        ObjectNode wrong = document.deepCopy();
        ObjectNode status = (ObjectNode) wrong.at("/components/schemas/Deployment/properties/status/properties");
        status.remove("restarts"); // the server sends it; additionalProperties: false must catch the difference
        assertThat(api.post(NS + "/deployments", suspendedPipeline("schema-check", "")).status()).isEqualTo(201);
        TestApi.Response deployments = api.get(NS + "/deployments");
        TestApi.Response one = api.get(NS + "/deployments/schema-check");

        assertThat(problems(wrong, "#/components/schemas/Deployment", one.json())).isNotEmpty();
        assertThat(problems(document, "#/components/schemas/Deployment", one.json())).isEmpty();
        assertThat(problems(document, "#/components/schemas/DeploymentList", deployments.json())).isEmpty();
        api.delete(NS + "/deployments/schema-check");
    }


    /** Calls every route at least once, with answers of each documented kind where a test can provoke them. */
    private void walkEveryRoute() {
        String deployments = "/api/v1/namespaces/{ns}/deployments";
        String deployment = deployments + "/{name}";
        call("GET", "/api/v1/info", "/api/v1/info", null);
        call("GET", "/healthz", "/healthz", null);
        call("GET", "/readyz", "/readyz", null);
        call("GET", "/metrics", "/metrics", null);
        call("GET", "/api/v1/openapi.yaml", "/api/v1/openapi.yaml", null);

        KeyedCounts counts = new KeyedCounts("contract", 1_000_000, 20);
        String yaml = atLeastOnce(counts.yaml());
        call("POST", deployments, NS + "/deployments", yaml);
        call("POST", deployments, NS + "/deployments", yaml);
        call("POST", deployments, NS + "/deployments", yaml.replace("parallelism: 1", "parallelism: 1.5"));
        call("POST", deployments, NS + "/deployments",
                suspendedPipeline("set-a", "") + "---\n" + suspendedPipeline("set-b", ""));
        call("GET", deployments, NS + "/deployments", null);
        call("GET", deployments, "/api/v1/namespaces/Bad_NS/deployments", null);
        call("GET", deployment, NS + "/deployments/nope", null);
        await().atMost(Duration.ofSeconds(60)).until(() -> api.phase("contract").equals("running"));
        String kafka = server.streams().bootstrapServers();
        await().atMost(Duration.ofSeconds(30)).until(() -> counts.countedInputs(kafka) > 0);
        call("GET", deployment, NS + "/deployments/contract", null);
        call("GET", deployment + "/versions", NS + "/deployments/contract/versions", null);
        call("GET", deployment + "/versions", NS + "/deployments/nope/versions", null);
        call("POST", deployment + "/diff", NS + "/deployments/contract/diff", counts.yaml());
        call("POST", deployment + "/diff", NS + "/deployments/nope/diff", yaml);
        call("POST", deployment + "/diff", NS + "/deployments/contract/diff", "kind: [");

        TestApi.Response snapshot = call("POST", deployment + "/snapshots", NS + "/deployments/contract/snapshots",
                null);
        String id = snapshot.json().path("id").asText();
        await().atMost(Duration.ofSeconds(60)).until(() -> api.get(NS + "/deployments/contract/snapshots/" + id).json()
                .path("state").asText().equals("completed"));
        call("GET", deployment + "/snapshots/{id}", NS + "/deployments/contract/snapshots/" + id, null);
        call("GET", deployment + "/snapshots/{id}", NS + "/deployments/contract/snapshots/nope", null);
        call("GET", deployment + "/snapshots", NS + "/deployments/contract/snapshots", null);
        call("GET", "/api/v1/namespaces/{ns}/snapshots", NS + "/snapshots", null);
        call("GET", deployment + "/events", NS + "/deployments/contract/events?limit=5", null);
        call("GET", "/api/v1/namespaces/{ns}/events", NS + "/events", null);

        // The fork writes a topic of its own. Both write at-least-once: a fork restoring an exactly-once Kafka sink's
        // savepoint commits the source's pending transactions and fences its producer (the exactly-once issue).
        String fork = atLeastOnce(new KeyedCounts("contract-fork", 1_000_000, 20).yaml());
        call("POST", deployment + "/fork", NS + "/deployments/contract/fork?as=contract-fork&snapshot=" + id, fork);
        call("POST", deployment + "/fork", NS + "/deployments/contract/fork?as=contract-fork", fork);
        await().atMost(Duration.ofSeconds(60)).until(() -> api.phase("contract-fork").equals("running"));
        call("GET", "/api/v1/namespaces/{ns}/compare", NS + "/compare?a=contract&b=contract-fork", null);
        call("GET", "/api/v1/namespaces/{ns}/compare", NS + "/compare?a=contract&b=Bad_Name", null);
        call("GET", "/api/v1/namespaces/{ns}/compare", NS + "/compare?a=contract&b=nope", null);
        call("GET", "/api/v1/streams", "/api/v1/streams", null);
        call("GET", "/api/v1/streams/{topic}/records", "/api/v1/streams/" + counts.output()
                + "/records?fromBeginning=true&limit=3&waitMs=2000", null);
        call("GET", "/api/v1/streams/{topic}/records", "/api/v1/streams/nope/records", null);
        call("GET", "/api/v1/streams/{topic}/records", "/api/v1/streams/bad%20topic/records", null);

        call("POST", deployment + "/scale", NS + "/deployments/contract/scale?parallelism=2", null);
        call("POST", deployment + "/scale", NS + "/deployments/contract/scale", null);
        call("POST", deployment + "/scale", NS + "/deployments/nope/scale?parallelism=2", null);
        await().atMost(Duration.ofSeconds(90)).until(() -> api.deployment("contract").path("status").path("version")
                .asInt() == 2 && api.phase("contract").equals("running"));
        call("POST", deployment + "/rollback", NS + "/deployments/contract/rollback?toVersion=1", null);
        call("POST", deployment + "/rollback", NS + "/deployments/contract/rollback?toVersion=99", null);
        call("POST", deployment + "/rollback", NS + "/deployments/nope/rollback", null);
        await().atMost(Duration.ofSeconds(90)).until(() -> api.phase("contract").equals("running"));
        call("POST", deployment + "/rollback", NS + "/deployments/contract/rollback?toVersion=1", null);
        call("POST", deployment + "/suspend", NS + "/deployments/contract/suspend", null);
        call("POST", deployment + "/suspend", NS + "/deployments/nope/suspend", null);
        await().atMost(Duration.ofSeconds(60)).until(() -> api.phase("contract").equals("suspended"));
        call("POST", deployment + "/snapshots", NS + "/deployments/contract/snapshots", null);
        call("POST", deployment + "/snapshots", NS + "/deployments/nope/snapshots", null);
        call("POST", deployment + "/resume", NS + "/deployments/contract/resume", null);
        call("POST", deployment + "/resume", NS + "/deployments/nope/resume", null);
        call("POST", deployment + "/cancel", NS + "/deployments/contract-fork/cancel", null);
        call("POST", deployment + "/cancel", NS + "/deployments/nope/cancel", null);
        call("DELETE", deployment, NS + "/deployments/contract", null);
        call("DELETE", deployment, NS + "/deployments/contract", null);
        call("DELETE", deployment, NS + "/deployments/contract-fork", null);
    }

    /** The pipeline at parallelism 1, writing at-least-once (no Kafka transactions). */
    private static String atLeastOnce(String keyedCounts) {
        return keyedCounts.replace("parallelism: 2", "parallelism: 1")
                .replace("'sink.delivery-guarantee' = 'exactly-once'", "'sink.delivery-guarantee' = 'at-least-once'")
                .replaceAll(",\\s*'sink.transactional-id-prefix' = '[^']*'", "");
    }

    /** One request; its answer must have a documented status and match the documented schema. */
    private TestApi.Response call(String method, String template, String path, String body) {
        TestApi.Response response = switch (method) {
            case "GET" -> api.get(path);
            case "POST" -> api.post(path, body);
            case "DELETE" -> api.delete(path);
            default -> throw new IllegalArgumentException(method);
        };
        check(method, template, response);
        called.add(method + " " + template);
        return response;
    }

    private void check(String method, String template, TestApi.Response response) {
        String where = method + " " + template + " -> " + response.status();
        JsonNode answer = document.path("paths").path(template).path(method.toLowerCase(Locale.ROOT)).path("responses")
                .path(Integer.toString(response.status()));
        if (answer.has("$ref")) {
            answer = document.at(answer.path("$ref").asText().substring(1));
        }
        if (answer.isMissingNode()) {
            mismatches.add(where + ": status not documented; body " + response.body());
            return;
        }
        String type = response.contentType().split(";")[0].strip();
        JsonNode media = answer.path("content").path(type);
        if (media.isMissingNode()) {
            mismatches.add(where + ": content type " + type + " not documented (" + answer.path("content") + ")");
            return;
        }
        if (type.endsWith("json")) {
            String ref = media.path("schema").path("$ref").asText();
            problems(document, ref, response.json()).forEach(p -> mismatches.add(where + ": " + p));
        }
    }

    /** What does not match the schema at {@code ref} (a pointer into {@code openApi}). */
    private static List<String> problems(JsonNode openApi, String ref, JsonNode value) {
        ObjectNode schema = openApi.deepCopy();
        schema.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        schema.put("$ref", ref);
        JsonSchema compiled = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(schema);
        List<String> problems = new ArrayList<>();
        for (ValidationMessage m : compiled.validate(value)) {
            problems.add(m.getMessage());
        }
        return problems;
    }

    private static Set<String> documentedRoutes() {
        Set<String> routes = new TreeSet<>();
        Pattern methods = Pattern.compile("get|post|put|delete|patch");
        for (Iterator<String> paths = document.path("paths").fieldNames(); paths.hasNext(); ) {
            String path = paths.next();
            document.path("paths").path(path).fieldNames().forEachRemaining(m -> {
                if (methods.matcher(m).matches()) {
                    routes.add(m.toUpperCase(Locale.ROOT) + " " + path);
                }
            });
        }
        return routes;
    }
}
