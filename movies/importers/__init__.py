"""Plain-Python readers of the raw dataset files (MovieLens, TMDb) and the GroupLens downloader.
Nothing here imports Django; `movies.services` writes what these read."""
