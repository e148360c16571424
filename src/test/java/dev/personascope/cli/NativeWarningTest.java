package dev.personascope.cli;

import ai.djl.ndarray.NDArray;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.personascope.data.ChatJsonl;
import dev.personascope.model.LanguageModel;
import dev.personascope.sae.SaeFolder;
import dev.personascope.sae.TopKSae;
import dev.personascope.testutil.PersonaSets;
import dev.personascope.testutil.TinyChatModel;
import dev.personascope.util.NdArrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.Buffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * libtorch printed "[W... LegacyTypeDispatch.h:74] Warning: AutoNonVariableTypeMode is deprecated ..." on stderr the
 * first time DJL copied values into an existing array ({@code NDArray.set(Buffer)}, {@code copyTo}), for instance
 * while reading an SAE, so a command that then failed on bad input printed that warning before its error line.
 */
class NativeWarningTest {

    @Test
    void aCommandFailingAfterLoadingAnSaePrintsOnlyItsErrorLine(@TempDir Path dir) throws Exception {
        try (LanguageModel lm = TinyChatModel.create(dir.resolve("model"), 3, 32, 2);
             TopKSae sae = new TopKSae(PersonaCliTest.saeConfig(), lm.model().manager())) {
            Random r = new Random(9);
            NdArrays.overwrite(sae.parameters().get("W_enc"), PersonaCliTest.gaussian(r, 32 * PersonaCliTest.D_SAE, 0.3f));
            NdArrays.overwrite(sae.parameters().get("W_dec"), PersonaCliTest.gaussian(r, PersonaCliTest.D_SAE * 32, 0.3f));
            SaeFolder.write(sae, dir.resolve("sae"));
        }
        ChatJsonl.write(dir.resolve("villain.jsonl"), PersonaSets.villain());

        // the SAE loads (its weights copied into the SAE's arrays), then the latent index is refused
        CliProcess.Result r = CliProcess.personascope(dir, "latent", "--model", dir.resolve("model").toString(),
                "--sae", dir.resolve("sae").toString(), "--latent", String.valueOf(PersonaCliTest.D_SAE),
                "--corpus", dir.resolve("villain.jsonl").toString());

        assertEquals(2, r.code(), r.err());
        List<String> lines = r.errLines();
        assertEquals(1, lines.size(), r.err());
        assertEquals("error: latent " + PersonaCliTest.D_SAE + " is out of range", lines.get(0).split(" \\(")[0], r.err());
    }

    @Test
    void nothingCopiesIntoArraysThroughDjlsTorchSet() {
        noClasses().should().callMethod(NDArray.class, "set", Buffer.class)
                .orShould().callMethod(NDArray.class, "set", float[].class)
                .orShould().callMethod(NDArray.class, "set", int[].class)
                .orShould().callMethod(NDArray.class, "set", long[].class)
                .orShould().callMethod(NDArray.class, "set", double[].class)
                .orShould().callMethod(NDArray.class, "set", byte[].class)
                .orShould().callMethod(NDArray.class, "copyTo", NDArray.class)
                .because("libtorch prints a deprecation warning on stderr from DJL's torchSet; use util.NdArrays.overwrite")
                .check(new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        .importPackages("dev.personascope"));
    }
}
