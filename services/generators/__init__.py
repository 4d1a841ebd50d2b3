"""Image generators: what turns a generation's inputs into a 1280x720 JPEG thumbnail."""
