package dev.personascope.model.tokenizer.jinja;

import com.hubspot.jinjava.util.HasObjectTruthValue;

import java.util.Collections;
import java.util.Iterator;

/**
 * Jinja's default Undefined: what an unknown variable, a missing key or an index past the end gives.
 * It prints as "", is false, iterates as empty and is not {@code defined}; taking an attribute or item
 * of it, or calling a method on it, raises UndefinedError with Jinja's hint.
 */
public final class Undefined implements HasObjectTruthValue, Iterable<Object> {
    private final String hint;

    public Undefined(String hint) {
        this.hint = hint;
    }

    /** The UndefinedError Jinja raises when this is used as more than a value. */
    public TemplateRuntimeError error() {
        return new TemplateRuntimeError("UndefinedError: " + hint);
    }

    @Override
    public boolean getObjectTruthValue() {
        return false;
    }

    @Override
    public Iterator<Object> iterator() {
        return Collections.emptyIterator();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Undefined;
    }

    @Override
    public int hashCode() {
        return 0;
    }

    @Override
    public String toString() {
        return "";
    }
}
