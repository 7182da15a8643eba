"""The domain and its use cases. Imports neither streamlit nor huey."""
