"""The HTTP API's request and answer models (pydantic): they validate what comes in and
write the OpenAPI document, so every limit is stated once, here."""
