"""場地使用: the venues of the 四維 and 鳳山 centres, bookings, their rules, use and charts."""
