package dev.personascope.model.tokenizer.jinja;

/** A failure that Jinja would raise (TypeError, UndefinedError, TemplateError from raise_exception, ...). */
public final class TemplateRuntimeError extends RuntimeException {
    public TemplateRuntimeError(String message) {
        super(message);
    }
}
