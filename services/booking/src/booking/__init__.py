"""The booking service: bookings, the booking saga, messages between booker and owner."""
