package dev.sluice.engine.flink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.control.engine.CompiledPipeline;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConnectorJarsTest {
    private final SqlCompiler compiler = new SqlCompiler();

    @Test
    void aKafkaPlanShipsTheConnectorItsBaseAndTheKafkaClient() {
        CompiledPipeline plan = compiler.compile("""
                CREATE TABLE clicks (user_id INT, url STRING) WITH ('connector' = 'datagen');
                CREATE TABLE counts (user_id INT, n BIGINT, PRIMARY KEY (user_id) NOT ENFORCED) WITH (
                  'connector' = 'upsert-kafka', 'topic' = 'counts', 'properties.bootstrap.servers' = 'localhost:9092',
                  'key.format' = 'json', 'value.format' = 'json');
                INSERT INTO counts SELECT user_id, COUNT(*) FROM clicks GROUP BY user_id;
                """, Map.of());

        assertThat(ConnectorJars.identifiers(plan)).containsExactly("datagen", "json", "upsert-kafka");
        List<String> jars = ConnectorJars.forPlan(plan);
        assertThat(jars).hasSize(3).allMatch(j -> j.startsWith("file:") && j.endsWith(".jar"));
        assertThat(jars).anyMatch(j -> j.contains("flink-connector-kafka-"))
                .anyMatch(j -> j.contains("flink-connector-base-"))
                .anyMatch(j -> j.contains("kafka-clients-"));
    }

    @Test
    void connectorsOfAFlinkDistributionShipNothing() {
        CompiledPipeline plan = compiler.compile("""
                CREATE TABLE clicks (user_id INT) WITH ('connector' = 'datagen');
                CREATE TABLE sink (user_id INT) WITH ('connector' = 'blackhole');
                INSERT INTO sink SELECT user_id FROM clicks;
                """, Map.of());

        assertThat(ConnectorJars.forPlan(plan)).isEmpty();
    }
}
