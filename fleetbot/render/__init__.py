"""One Report, three renderings: Markdown (PR comment, job summary), terminal, JSON.

Every renderer is pure. Text that came from a branch, path, title or plan cell goes
through `render.escape` before it reaches Markdown.
"""
