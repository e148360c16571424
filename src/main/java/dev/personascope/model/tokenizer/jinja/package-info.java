/**
 * What Jinjava lacks to render Hugging Face chat templates as transformers' Jinja2 sandbox does: Python's
 * {@code None}, string and dict methods, Jinja's tests and functions that transformers adds
 * ({@code raise_exception}, {@code strftime_now}), the {@code generation} tag. Each piece is registered through
 * Jinjava's extension points; nothing here parses templates.
 */
package dev.personascope.model.tokenizer.jinja;
