package dev.personascope.serve;

/** A request the API rejects, with its HTTP status and OpenAI-style error message. */
final class ApiError extends RuntimeException {
    final int status;
    final String param;

    ApiError(int status, String message, String param) {
        super(message);
        this.status = status;
        this.param = param;
    }

    static ApiError badRequest(String message, String param) {
        return new ApiError(400, message, param);
    }
}
