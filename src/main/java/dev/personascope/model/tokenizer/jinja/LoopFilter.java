package dev.personascope.model.tokenizer.jinja;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.util.ObjectTruthValue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Jinja's loop filter, {@code {% for x in items if cond %}}, which Jinjava does not have:
 * {@link JinjaSource} rewrites it to {@code items|py_loop_filter('x', n)} where n names the condition's
 * source in the context; this keeps the items for which the condition is true (so loop.index and
 * loop.last count only those, as in Jinja).
 */
public final class LoopFilter implements Filter {
    /** Context key of the list of loop-filter conditions of the template being rendered. */
    public static final String CONDITIONS = "__personascope_loop_conditions";

    @Override
    public String getName() {
        return "py_loop_filter";
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
        List<String> names = List.of(args[0].toString().split("\\s*,\\s*"));
        String condition = ((List<?>) interpreter.getContext().get(CONDITIONS)).get(((Number) args[1]).intValue()).toString();
        List<Object> kept = new ArrayList<>();
        if (var == null || var instanceof Undefined) {
            return kept;
        }
        for (Object item : (Iterable<?>) (var instanceof Map<?, ?> m ? m.keySet() : var)) {
            interpreter.enterScope();
            try {
                bind(interpreter, names, item);
                if (ObjectTruthValue.evaluate(interpreter.resolveELExpression(condition, interpreter.getLineNumber()))) {
                    kept.add(item);
                }
            } finally {
                interpreter.leaveScope();
            }
        }
        return kept;
    }

    /** One loop variable, or several unpacked from a list / map entry. */
    private static void bind(JinjavaInterpreter interpreter, List<String> names, Object item) {
        if (names.size() == 1) {
            interpreter.getContext().put(names.get(0), item);
            return;
        }
        List<?> parts = item instanceof Map.Entry<?, ?> e ? List.of(e.getKey(), e.getValue())
                : item instanceof List<?> l ? l : List.of(item);
        for (int i = 0; i < names.size(); i++) {
            interpreter.getContext().put(names.get(i), i < parts.size() ? parts.get(i) : null);
        }
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
        throw new UnsupportedOperationException("py_loop_filter takes its arguments as objects");
    }
}
