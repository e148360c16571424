package dev.personascope;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.Architectures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The layering of the main code, checked on its compiled classes with ArchUnit: no package cycles, each layer
 * uses only the layers below it, and the persona world (the organism) sits above all generic code, which reaches
 * it only through the plug-in interfaces it defines.
 */
class ArchitectureTest {
    /** Layers from the bottom up; a layer may use the ones before it, never one after it. */
    static final List<String> LAYERS = List.of("util", "work", "spark", "report", "model", "lora", "data", "optim", "generate", "train", "eval",
            "serve", "sae", "persona", "dashboard", "monitor", "experiment", "demo", "world", "bench", "cli");
    static JavaClasses classes;

    @BeforeAll
    static void load() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.personascope");
    }

    @Test
    void noPackageCycles() {
        slices().matching("dev.personascope.(**)").should().beFreeOfCycles().check(classes);
    }

    @Test
    void eachLayerUsesOnlyTheLayersBelowIt() {
        Architectures.LayeredArchitecture arch = Architectures.layeredArchitecture().consideringOnlyDependenciesInLayers();
        for (String layer : LAYERS) {
            arch = arch.layer(layer).definedBy("dev.personascope." + layer + "..");
        }
        for (int i = 0; i < LAYERS.size() - 1; i++) {
            List<String> above = new ArrayList<>(LAYERS.subList(i + 1, LAYERS.size()));
            arch = arch.whereLayer(LAYERS.get(i)).mayOnlyBeAccessedByLayers(above.toArray(String[]::new));
        }
        arch.whereLayer("cli").mayNotBeAccessedByAnyLayer().check(classes);
    }

    @Test
    void genericCodeKnowsNothingOfTheWorld() {
        noClasses().that().resideOutsideOfPackages("dev.personascope.world..", "dev.personascope.cli..", "dev.personascope.bench..")
                .should().dependOnClassesThat().resideInAPackage("dev.personascope.world..")
                .because("the organism is a plug-in: generic code reaches it only through interfaces it defines")
                .check(classes);
    }
}
