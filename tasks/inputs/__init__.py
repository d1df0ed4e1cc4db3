"""Where documents come from: files, folders, WARC files, configured sources."""
