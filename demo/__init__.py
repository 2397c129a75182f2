"""The demo street of the 2017 article, apart from production: the top
layer, which may import every app and which no app imports. Code only (no
models, so no migrations); `manage.py load_demo` runs its steps in order."""
