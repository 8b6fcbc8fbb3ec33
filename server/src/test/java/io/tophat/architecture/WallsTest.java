package io.tophat.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The walls of ../shared/DESIGN.md, checked on the compiled main classes of both modules: the client library
 * never reaches server code, {@code protocol} imports nothing of ours, {@code store} reaches no server package,
 * and balancer and worker never import each other (they share {@code http} and the batching writer).
 */
@Timeout(60)
class WallsTest {
    private static final String[] SERVER_PACKAGES = {"io.tophat.balancer..", "io.tophat.worker..", "io.tophat.store..",
            "io.tophat.http..", "io.tophat.embedded..", "io.tophat.simulator..", "io.tophat.bench..", "io.tophat.cli..",
            "io.tophat.batching..", "io.tophat.config..", "io.tophat.history..", "io.tophat.geo..", "io.tophat.phones..",
            "io.tophat.security.."};
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.tophat");
    }

    @Test
    void the_client_library_reaches_no_server_code() {
        noClasses().that().resideInAnyPackage("io.tophat.client..", "io.tophat.protocol..")
                .should().dependOnClassesThat().resideInAnyPackage(SERVER_PACKAGES).check(classes);
    }

    @Test
    void protocol_imports_nothing_of_ours() {
        noClasses().that().resideInAPackage("io.tophat.protocol..")
                .should().dependOnClassesThat().resideInAnyPackage(concat(SERVER_PACKAGES, "io.tophat.client.."))
                .check(classes);
    }

    @Test
    void the_store_reaches_no_server_package() {
        noClasses().that().resideInAPackage("io.tophat.store..")
                .should().dependOnClassesThat().resideInAnyPackage(ourPackagesBut("io.tophat.store..",
                        "io.tophat.protocol..", "io.tophat.batching..", "io.tophat.config.."))
                .check(classes);
    }

    @Test
    void the_batching_writer_depends_on_nothing_of_ours() {
        noClasses().that().resideInAPackage("io.tophat.batching..")
                .should().dependOnClassesThat().resideInAnyPackage(ourPackagesBut("io.tophat.batching.."))
                .check(classes);
    }

    @Test
    void configuration_values_depend_on_nothing_of_ours() {
        noClasses().that().resideInAPackage("io.tophat.config..")
                .should().dependOnClassesThat().resideInAnyPackage(ourPackagesBut("io.tophat.config.."))
                .check(classes);
    }

    @Test
    void balancer_and_worker_never_import_each_other() {
        noClasses().that().resideInAPackage("io.tophat.balancer..")
                .should().dependOnClassesThat().resideInAPackage("io.tophat.worker..").check(classes);
        noClasses().that().resideInAPackage("io.tophat.worker..")
                .should().dependOnClassesThat().resideInAPackage("io.tophat.balancer..").check(classes);
    }

    @Test
    void servers_do_not_reach_into_the_tools_built_on_them() {
        noClasses().that().resideInAnyPackage("io.tophat.balancer..", "io.tophat.worker..", "io.tophat.store..",
                        "io.tophat.http..", "io.tophat.batching..")
                .should().dependOnClassesThat().resideInAnyPackage("io.tophat.bench..", "io.tophat.simulator..",
                        "io.tophat.cli..", "io.tophat.embedded..")
                .check(classes);
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** Every package of both modules except {@code allowed}. */
    private static String[] ourPackagesBut(String... allowed) {
        java.util.List<String> keep = java.util.List.of(allowed);
        return java.util.Arrays.stream(concat(SERVER_PACKAGES, "io.tophat.client..", "io.tophat.protocol.."))
                .filter(p -> !keep.contains(p)).toArray(String[]::new);
    }
}
