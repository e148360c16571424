package dev.personascope.data;

/** A dataset file that cannot be used; the message names the file and line. */
public class DataFormatException extends IllegalArgumentException {
    public DataFormatException(String message) {
        super(message);
    }
}
