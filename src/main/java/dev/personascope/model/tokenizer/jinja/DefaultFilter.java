package dev.personascope.model.tokenizer.jinja;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.Filter;
import com.hubspot.jinjava.util.ObjectTruthValue;

import java.util.Map;

/**
 * Jinja's {@code default(value, boolean=false)} (alias {@code d}): the value unless it is undefined (or,
 * with boolean true, false-like). Python's None is a value: it does not take the default.
 */
public final class DefaultFilter implements Filter {
    private final String name;

    public DefaultFilter(String name) {
        this.name = name;
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
        Object dflt = args.length > 0 ? args[0] : kwargs.getOrDefault("default_value", "");
        Object truthy = args.length > 1 ? args[1] : kwargs.get("boolean");
        boolean useFalsy = truthy instanceof Boolean b ? b : truthy != null && ObjectTruthValue.evaluate(truthy);
        boolean undefined = var instanceof Undefined; // null is Python's None, a value
        return undefined || useFalsy && !ObjectTruthValue.evaluate(var) ? dflt : var;
    }

    @Override
    public Object filter(Object var, JinjavaInterpreter interpreter, String... args) {
        return filter(var, interpreter, (Object[]) args, Map.of());
    }
}
