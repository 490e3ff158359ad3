"""Language, shared by search and the channels: words and their keys, stop words, the
thesaurus, and the sentence encoder (meaning vectors)."""
