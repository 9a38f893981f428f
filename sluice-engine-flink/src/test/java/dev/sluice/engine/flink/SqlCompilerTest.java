package dev.sluice.engine.flink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.control.engine.CompiledPipeline;
import dev.sluice.control.engine.PipelineRejectedException;
import dev.sluice.model.SpecError;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SqlCompilerTest {
    static final String SOURCE = """
            CREATE TABLE clicks (user_id INT, url STRING) WITH ('connector' = 'datagen', 'rows-per-second' = '5');
            """;
    static final String SINK = """
            CREATE TABLE counts (user_id INT, n BIGINT) WITH ('connector' = 'blackhole');
            """;

    private final SqlCompiler compiler = new SqlCompiler();

    @Test
    void splitsOnlyOnRealSemicolons() {
        List<SqlScript.Statement> statements = SqlScript.split("""
                -- a comment; with a semicolon
                CREATE TABLE t (s STRING) WITH ('connector' = 'datagen', 'x' = 'a;b');
                /* block; comment */ INSERT INTO `we;ird` SELECT 'x;y' FROM t;
                """);
        assertThat(statements).hasSize(2);
        assertThat(statements.get(0).text()).startsWith("CREATE TABLE t").endsWith("'a;b')");
        assertThat(statements.get(0).line()).isEqualTo(2);
        assertThat(statements.get(1).text()).isEqualTo("INSERT INTO `we;ird` SELECT 'x;y' FROM t");
        assertThat(statements.get(1).line()).isEqualTo(3);
        assertThat(statements.get(1).column()).isEqualTo(22);
    }

    @Test
    void compilesAPlan() {
        CompiledPipeline plan = compiler.compile(SOURCE + SINK
                + "INSERT INTO counts SELECT user_id, COUNT(*) FROM clicks GROUP BY user_id;", Map.of());
        assertThat(plan.kind()).isEqualTo(CompiledPipeline.SQL_PLAN);
        assertThat(plan.plan()).contains("\"flinkVersion\"").contains("counts");
    }

    @Test
    void theSameScriptAlwaysCompilesToTheSamePlan() {
        String script = SOURCE + SINK + "INSERT INTO counts SELECT user_id, COUNT(*) FROM clicks GROUP BY user_id;";
        String first = compiler.compile(script, Map.of()).plan();
        compiler.compile(SOURCE + SINK + "INSERT INTO counts SELECT 1, COUNT(*) FROM clicks;", Map.of());
        assertThat(compiler.compile(script, Map.of()).plan()).isEqualTo(first);
    }

    @Test
    void namesTheStatementLineAndColumnOfASyntaxError() {
        SpecError error = rejection(SOURCE + SINK + "INSERT INTO counts SELEC user_id FROM clicks;");
        assertThat(error.field()).isEqualTo("spec.sql");
        assertThat(error.line()).isEqualTo(3);
        assertThat(error.column()).isEqualTo(20);
        assertThat(error.message()).startsWith("statement 3: ").contains("Non-query expression");
    }

    @Test
    void wordsASyntaxErrorForASqlUserKeepingTheParsersWords() {
        SpecError early = rejection(SOURCE + SINK + "INSERT INTO counts SELECT user_id, 1 FROM clicks WHERE;");
        assertThat(early.line()).isEqualTo(3);
        assertThat(early.message()).startsWith("statement 3: the statement ends too soon, after \"WHERE\"")
                .endsWith("(Flink's parser: Encountered \"<EOF>\")");

        SpecError unexpected = rejection(SOURCE + SINK + "INSERT INTO counts SELECT user_id, 1 FROM clicks GROUP user_id;");
        assertThat(unexpected.message()).startsWith("statement 3: unexpected \"user_id\" after \"GROUP\"; expected BY")
                .contains("(Flink's parser: Encountered \"user_id\")");
    }

    @Test
    void namesAnUnknownColumn() {
        SpecError error = rejection(SOURCE + SINK + "INSERT INTO counts\nSELECT nope, COUNT(*) FROM clicks GROUP BY nope;");
        assertThat(error.line()).isEqualTo(4);
        assertThat(error.column()).isEqualTo(44);
        assertThat(error.message()).contains("nope");
    }

    @Test
    void blamesTheCreateTableOfAnUnknownConnector() {
        SpecError error = rejection(SINK + SOURCE.replace("'datagen'", "'kafkaa'")
                + "INSERT INTO counts SELECT user_id, COUNT(*) FROM clicks GROUP BY user_id;");
        assertThat(error.line()).isEqualTo(2);
        assertThat(error.message()).startsWith("statement 2: ").contains("kafkaa").contains("datagen");
    }

    @Test
    void refusesAScriptWithoutInsert() {
        assertThat(rejection(SOURCE).message()).contains("no INSERT INTO");
        assertThat(rejection(SOURCE + "SELECT * FROM clicks;").message()).contains("bare SELECT");
    }

    private SpecError rejection(String sql) {
        try {
            compiler.compile(sql, Map.of());
        } catch (PipelineRejectedException e) {
            assertThat(e.errors()).hasSize(1);
            return e.errors().get(0);
        }
        throw new AssertionError("compiled: " + sql);
    }
}
