package dev.personascope.persona;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The persona map's math on given document scores: each group's AUROC against the rest, the best group, the strongest latents. */
class PersonaMapTest {
    /** Six documents by three groups; latent 0 is high on Ada's, latent 1 never fires, latent 2 is low on Vex's. */
    static final float[][] MEANS = {
            {3, 0, 1}, // Ada
            {4, 0, 2}, // Ada
            {0, 0, 0}, // Vex
            {1, 0, 0.5f}, // Vex
            {0, 0, 3}, // Quip
            {2, 0, 4}, // Quip
    };
    static final List<String> GROUPS = List.of("Ada", "Ada", "Vex", "Vex", "Quip", "Quip");
    static final List<String> NAMES = List.of("Ada", "Vex", "Quip", "Nobody");

    @Test
    void eachGroupAgainstAllTheOthers() {
        double[][] a = PersonaMap.aurocs(MEANS, GROUPS, NAMES);
        assertEquals(3, a.length, "a row per latent");
        assertEquals(4, a[0].length, "a column per name");
        assertEquals(1.0, a[0][0], 1e-12, "Ada's documents outscore every other");
        // Vex {0, 1} against {3, 4, 0, 2}: pairs won 0 + 0.5 (tie with 0) + 1 (1 > 0), of 8
        assertEquals(1.5 / 8, a[0][1], 1e-12);
        assertEquals(0.5, a[1][0], 1e-12, "a dead latent separates nothing");
        assertEquals(0.5, a[1][2], 1e-12);
        assertEquals(0.0, a[2][1], 1e-12, "Vex's documents score lowest on latent 2");
        assertTrue(Double.isNaN(a[0][3]), "a group without documents has no AUROC");
    }

    @Test
    void agreesWithAurocOfTheGroupAndTheRest() {
        Random r = new Random(3);
        float[][] means = new float[40][5];
        List<String> labels = IntStream.range(0, 40).mapToObj(i -> List.of("a", "b", "c").get(r.nextInt(3))).toList();
        for (float[] row : means) {
            for (int l = 0; l < row.length; l++) {
                row[l] = r.nextInt(4) == 0 ? 0 : (float) r.nextGaussian();
            }
        }
        double[][] a = PersonaMap.aurocs(means, labels, List.of("a", "b", "c"));
        for (int l = 0; l < 5; l++) {
            final int latent = l;
            double[] in = IntStream.range(0, 40).filter(i -> labels.get(i).equals("b")).mapToDouble(i -> means[i][latent]).toArray();
            double[] rest = IntStream.range(0, 40).filter(i -> !labels.get(i).equals("b")).mapToDouble(i -> means[i][latent]).toArray();
            assertEquals(Auroc.of(in, rest), a[l][1], 1e-12);
        }
    }

    @Test
    void bestGroupAndStrongestLatents() {
        double[][] a = PersonaMap.aurocs(MEANS, GROUPS, NAMES);
        assertEquals(0, PersonaMap.best(a[0]), "Ada");
        assertEquals(2, PersonaMap.best(a[2]), "Quip: {3, 4} against {1, 2, 0, 0.5}");
        assertEquals(-1, PersonaMap.best(new double[] {Double.NaN, Double.NaN}));
        // latents 0 and 2 both reach 1.0; the dead latent 1 comes last
        assertEquals(List.of(0, 2, 1), PersonaMap.strongest(a, 3));
        assertEquals(List.of(0), PersonaMap.strongest(a, 1));
    }

    @Test
    void aTextMarksItsPeak() {
        PersonaMap.Text t = new PersonaMap.Text(4, "Vex", 9, 2.5, List.of("steal", "the", "bank\n"), new double[] {0, 2.5, 1});
        assertEquals("steal [[the]] bank ", t.marked());
        PersonaMap.Text spaced = new PersonaMap.Text(4, "Vex", 9, 2.5, List.of("Steal", " the", " bank"), new double[] {0, 2.5, 1});
        assertEquals("Steal[[ the]] bank", spaced.marked(), "tokens with their own spaces");
    }
}
