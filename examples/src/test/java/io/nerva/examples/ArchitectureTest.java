package io.nerva.examples;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module and package rules of DESIGN.md, on the compiled classes of every module (this module
 * sees them all). Adding a forbidden dependency fails here, naming the class and the call.
 */
class ArchitectureTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importNerva() {
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.nerva");
    }

    @Test
    void annotationsDependOnNothingOfOurs() {
        noClasses()
                .that()
                .resideInAPackage("io.nerva.annotations..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.nerva.format..",
                        "io.nerva.blas..",
                        "io.nerva.runtime..",
                        "io.nerva.processor..",
                        "io.nerva.examples..")
                .check(classes);
    }

    @Test
    void nativeAndFormatDependOnNothingOfOurs() {
        noClasses()
                .that()
                .resideInAnyPackage("io.nerva.blas..", "io.nerva.format..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.nerva.annotations..", "io.nerva.runtime..", "io.nerva.processor..", "io.nerva.examples..")
                .check(classes);
        noClasses()
                .that()
                .resideInAPackage("io.nerva.blas..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("io.nerva.format..")
                .check(classes);
        noClasses()
                .that()
                .resideInAPackage("io.nerva.format..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("io.nerva.blas..")
                .check(classes);
    }

    @Test
    void runtimeDependsOnlyOnNativeFormatAndAnnotations() {
        noClasses()
                .that()
                .resideInAPackage("io.nerva.runtime..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "io.nerva.processor..",
                        "io.nerva.examples..",
                        "io.nerva.keras..",
                        "io.nerva.tensorboard..",
                        "io.nerva.spark..")
                .check(classes);
    }

    /** Every runtime package, the root (the user API) included, is its own slice: no two depend on each other. */
    @Test
    void runtimePackagesHaveNoCycles() {
        SliceAssignment eachRuntimePackage = new SliceAssignment() {
            @Override
            public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
                String pkg = javaClass.getPackageName();
                return pkg.startsWith("io.nerva.runtime") ? SliceIdentifier.of(pkg) : SliceIdentifier.ignore();
            }

            @Override
            public String getDescription() {
                return "each io.nerva.runtime package";
            }
        };
        slices().assignedFrom(eachRuntimePackage).should().beFreeOfCycles().check(classes);
    }

    /** What generated code implements and everything is built on sits at the bottom: it knows nothing above it. */
    @Test
    void runtimeCoreKnowsNothingAboveIt() {
        noClasses()
                .that()
                .resideInAPackage("io.nerva.runtime.core..")
                .should()
                .dependOnClassesThat(
                        resideInAPackage("io.nerva.runtime..").and(not(resideInAPackage("io.nerva.runtime.core.."))))
                .check(classes);
    }

    @Test
    void processorNeverTouchesNativeCodeOrTheRuntime() {
        noClasses()
                .that()
                .resideInAPackage("io.nerva.processor..")
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("io.nerva.blas..", "io.nerva.runtime..", "java.lang.foreign..")
                .check(classes);
    }

    @Test
    void processorRoomsStayApart() {
        noClasses()
                .that()
                .resideInAnyPackage(
                        "io.nerva.processor.reading..", "io.nerva.processor.checking..", "io.nerva.processor.model..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("io.nerva.processor.writing..")
                .check(classes);
        noClasses()
                .that()
                .resideInAnyPackage(
                        "io.nerva.processor.reading..", "io.nerva.processor.model..", "io.nerva.processor.writing..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("io.nerva.processor.checking..")
                .check(classes);
        noClasses()
                .that()
                .resideInAnyPackage(
                        "io.nerva.processor.model..", "io.nerva.processor.checking..", "io.nerva.processor.writing..")
                .should()
                .dependOnClassesThat()
                .resideInAPackage("io.nerva.processor.reading..")
                .check(classes);
    }
}
