"""The ticket domain: pure Python, standard library only, time passed in as a parameter."""
