package dev.sluice.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The package arrows of docs/architecture.md, held against the compiled code: api, orders → jobs,
 * dispatch → queue → config; security and web are edges of the HTTP surface; nothing depends on api
 * or orders; no cycles.
 */
class PackageBoundaryTests {

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.sluice");

    @Test
    void noPackageCycles() {
        slices().matching("dev.sluice.(*)..").should().beFreeOfCycles().check(MAIN);
    }

    @Test
    void nothingDependsOnTheHttpSurfaceOrTheOrderExample() {
        noClasses().that().resideOutsideOfPackages("dev.sluice.api..", "dev.sluice.orders..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.sluice.api..", "dev.sluice.orders..")
                .check(MAIN);
    }

    @Test
    void onlyTheQueuePackageKnowsRedis() {
        noClasses().that().resideOutsideOfPackages("dev.sluice.queue..", "dev.sluice.config..",
                        "dev.sluice.monitoring..")
                .should().dependOnClassesThat().resideInAnyPackage("org.springframework.data.redis..", "io.lettuce..")
                .check(MAIN);
    }

    @Test
    void theQueueKnowsOnlyConfiguration() {
        noClasses().that().resideInAPackage("dev.sluice.queue..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.sluice.jobs..", "dev.sluice.dispatch..",
                        "dev.sluice.security..", "dev.sluice.web..", "dev.sluice.monitoring..")
                .check(MAIN);
    }

    @Test
    void configurationDependsOnNoFeature() {
        noClasses().that().resideInAPackage("dev.sluice.config..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.sluice.queue..", "dev.sluice.jobs..",
                        "dev.sluice.dispatch..", "dev.sluice.security..", "dev.sluice.web..", "dev.sluice.monitoring..")
                .check(MAIN);
    }

    @Test
    void jobsAndDispatchKnowNothingOfHttp() {
        noClasses().that().resideInAnyPackage("dev.sluice.jobs..", "dev.sluice.dispatch..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.sluice.security..", "dev.sluice.web..",
                        "dev.sluice.monitoring..", "jakarta.servlet..", "org.springframework.web..")
                .check(MAIN);
        noClasses().that().resideInAPackage("dev.sluice.jobs..")
                .should().dependOnClassesThat().resideInAPackage("dev.sluice.dispatch..").check(MAIN);
    }

    @Test
    void securityAndTheProblemCatalogueStayAtTheEdge() {
        noClasses().that().resideInAnyPackage("dev.sluice.security..", "dev.sluice.web..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.sluice.queue..", "dev.sluice.dispatch..",
                        "dev.sluice.monitoring..")
                .check(MAIN);
    }
}
