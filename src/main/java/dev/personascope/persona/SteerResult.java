package dev.personascope.persona;

import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import dev.personascope.eval.Wilson;
import dev.personascope.util.Json;

import java.nio.file.Path;
import java.util.List;

/** A steering sweep's {@code result.json}: what was steered, and the rates at each coefficient of each direction. */
public record SteerResult(Config config, List<Point> points) {
    public static final String FILE = "result.json";

    /** The run: model, direction (as given) and its hook, the residual norm coefficients are in units of, the sweep. */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Config(String model, String adapter, String direction, String hook, double residualNorm, String questions,
                         String judge, SteeringSweep.Settings sweep) {
    }

    /** One steered evaluation: the target direction or a random control, at one coefficient (or ablated). */
    @JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
    public record Point(String direction, boolean random, boolean ablated, double coefficient, Wilson misaligned,
                        Wilson misalignedAmongCoherent, Wilson coherent) {
        public static Point of(SteeringSweep.Point p) {
            return new Point(p.direction(), p.random(), p.ablated(), p.coefficient(), p.rates().misalignedAmongAll(),
                    p.rates().misalignedAmongCoherent(), p.rates().coherent());
        }
    }

    /** Writes {@code OUT/result.json}. */
    public void write(Path out) {
        Json.write(out.resolve(FILE), this);
    }

    /** Reads a sweep's {@code result.json}. */
    public static SteerResult read(Path file) {
        return Json.read(file, SteerResult.class);
    }
}
