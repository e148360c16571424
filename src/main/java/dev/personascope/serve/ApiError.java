package dev.personascope.serve;

/** A request the API rejects, with its HTTP status and the fields of OpenAI's error body. */
final class ApiError extends RuntimeException {
    final int status;
    final String param;
    final String type;
    final String code;
    /** Seconds for a Retry-After header; 0: none. */
    final int retryAfterSeconds;

    ApiError(int status, String message, String param) {
        this(status, message, param, status == 404 ? "not_found_error" : "invalid_request_error", null);
    }

    ApiError(int status, String message, String param, String type, String code) {
        this(status, message, param, type, code, 0);
    }

    ApiError(int status, String message, String param, String type, String code, int retryAfterSeconds) {
        super(message);
        this.retryAfterSeconds = retryAfterSeconds;
        this.status = status;
        this.param = param;
        this.type = type;
        this.code = code;
    }

    static ApiError badRequest(String message, String param) {
        return new ApiError(400, message, param);
    }

    /** A parameter this server does not implement (or does not know): 400 naming it, never ignored. */
    static ApiError unsupported(String param, String why) {
        return new ApiError(400, why, param, "invalid_request_error", "unsupported_parameter");
    }

    /** A field this server does not know: OpenAI's message for it, with the field named in {@code param}. */
    static ApiError unknown(String param) {
        return new ApiError(400, "Unrecognized request argument supplied: " + param, param, "invalid_request_error", null);
    }

    /** OpenAI's answer for a model that is not served here. */
    static ApiError modelNotFound(String model) {
        return new ApiError(404, "The model `" + model + "` does not exist or you do not have access to it.", null,
                "invalid_request_error", "model_not_found");
    }
}
