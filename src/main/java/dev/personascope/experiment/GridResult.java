package dev.personascope.experiment;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.personascope.eval.Wilson;
import dev.personascope.util.Json;

import java.nio.file.Path;
import java.util.List;

/**
 * A grid's {@code results.json}: its spec (with the defaults filled in) and one {@link Point} per grid point, in
 * grid order.
 */
public record GridResult(GridSpec spec, String model, List<Point> points) {
    public static final String FILE = "results.json";

    /** A grid point's settings: its folder's name and the value of each swept setting. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Settings(String id, @JsonInclude(JsonInclude.Include.NON_NULL) Double fraction, double lr, int loraRank,
                           int steps, long seed, int batch) {
    }

    /**
     * One grid point ({@code points/ID/point.json}): its settings and the evaluation of the model fine-tuned with
     * them (95% Wilson intervals).
     */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Point(Settings settings, Wilson misaligned, Wilson misalignedAmongCoherent, Wilson coherent) {
        public static final String FILE = "point.json";

        public static Point read(Path file) {
            return Json.read(file, Point.class);
        }
    }

    /** Writes {@code OUT/results.json}. */
    public void write(Path out) {
        Json.write(out.resolve(FILE), this);
    }

    public static GridResult read(Path file) {
        return Json.read(file, GridResult.class);
    }
}
