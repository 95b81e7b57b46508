"""季讲评: the quarter's review record, its decisions per post and the quarter's notice."""
