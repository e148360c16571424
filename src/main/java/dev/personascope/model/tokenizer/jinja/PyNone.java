package dev.personascope.model.tokenizer.jinja;

import com.fasterxml.jackson.annotation.JsonValue;
import com.hubspot.jinjava.util.HasObjectTruthValue;

import java.util.Iterator;

/**
 * Python's {@code None} as transformers passes it for {@code tools} and {@code documents}: defined (unlike
 * an absent variable), false, printed as "None", serialised as null, and not iterable.
 */
public final class PyNone implements HasObjectTruthValue, Iterable<Object> {
    public static final PyNone NONE = new PyNone();

    private PyNone() {
    }

    @Override
    public boolean getObjectTruthValue() {
        return false;
    }

    @JsonValue
    public Object json() {
        return null;
    }

    @Override
    public Iterator<Object> iterator() {
        throw new TemplateRuntimeError("TypeError: 'NoneType' object is not iterable");
    }

    @Override
    public String toString() {
        return "None";
    }
}
