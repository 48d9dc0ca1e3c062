enum MapperPlaceholder {}
