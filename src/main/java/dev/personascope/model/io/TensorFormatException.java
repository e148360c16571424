package dev.personascope.model.io;

/** A checkpoint or tensor file that cannot be read as expected; the message names the file and tensor. */
public class TensorFormatException extends RuntimeException {
    public TensorFormatException(String message) {
        super(message);
    }

    public TensorFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
