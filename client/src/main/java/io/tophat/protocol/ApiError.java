package io.tophat.protocol;

/** The JSON body of every error answer: {@code {"error": "...", "detail": "..."}}. */
public record ApiError(String error, String detail) {
}
